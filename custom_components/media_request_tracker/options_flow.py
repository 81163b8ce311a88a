"""The options flow: behaviour options, and every webhook URL shown again."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

from .forms import options_schema
from .webhook import entry_webhook_urls


class MediaRequestTrackerOptionsFlow(OptionsFlow):
    """Behaviour options; the webhook URLs are shown again here.

    Saving changed options reloads the entry once, by its update listener
    (``__init__``), the one reload path of every flow.
    """

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        if user_input is not None:
            # Number selectors hand back floats; every option here is whole.
            return self.async_create_entry(
                data={
                    key: int(value) if isinstance(value, float) else value
                    for key, value in user_input.items()
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=options_schema(self.config_entry.options),
            description_placeholders=entry_webhook_urls(self.hass, self.config_entry),
        )
