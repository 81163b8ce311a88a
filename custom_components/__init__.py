"""Media Request Tracker custom integration package root."""
