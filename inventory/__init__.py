"""The inventory: devices, network links, offerings, and the Excel/CSV import."""
