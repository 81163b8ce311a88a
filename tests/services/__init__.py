"""Real upstream services started by the tests (qBittorrent from Debian's packages)."""
