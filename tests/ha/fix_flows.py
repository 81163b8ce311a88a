"""Repair fix flows, started and answered as the Repairs panel does."""

from __future__ import annotations

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.components.repairs.issue_handler import RepairsFlowManager
from homeassistant.core import HomeAssistant


def fix_flows(hass: HomeAssistant) -> RepairsFlowManager:
    """Home Assistant's manager of repair fix flows."""
    flows = repairs_flow_manager(hass)
    assert flows is not None, "the repairs integration is not set up"
    return flows
