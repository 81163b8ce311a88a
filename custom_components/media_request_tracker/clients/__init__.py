"""HTTP clients for upstream services; asyncio and aiohttp only, no Home Assistant imports."""
