"""Reports (*rapportages*): queries, views and pygal charts (being built: reports issue)."""
