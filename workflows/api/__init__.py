"""The automation v4 flows API: HubSpot's flow CRUD over ``workflows.services``."""
