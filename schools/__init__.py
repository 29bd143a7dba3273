"""The school registry: schools, sites, school years."""
