"""Dependency-free helpers that both the dashboard and the self-hosted Data API use (no Django, no GDAL)."""
