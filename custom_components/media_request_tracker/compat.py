"""What differs between the Home Assistant releases we support (2025.4 on).

Its own module because both set-up (``__init__``) and the config flow need
it: neither has to load the other for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant import config_entries
from homeassistant.config_entries import OptionsFlow

if TYPE_CHECKING:
    ReloadingOptionsFlow = OptionsFlow
else:
    # Home Assistant 2025.8 added OptionsFlowWithReload, which reloads the entry
    # when its options change; before it, __init__ registers an update listener.
    ReloadingOptionsFlow = getattr(config_entries, "OptionsFlowWithReload", OptionsFlow)

# Whether the options flow reloads the entry by itself.
OPTIONS_FLOW_RELOADS: Final = ReloadingOptionsFlow is not OptionsFlow
