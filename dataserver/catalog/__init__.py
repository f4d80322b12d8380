"""The catalog API of the self-hosted Data API: scenes imported from STAC, searched with own imagery (DATA_API.md 6-7)."""
