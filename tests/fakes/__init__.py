"""Protocol-faithful fakes of upstream services, served on loopback."""
