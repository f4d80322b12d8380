"""The rasters API of the self-hosted Data API: mosaics, images, uploads, links, downloads, tiles (DATA_API.md 1-5)."""
