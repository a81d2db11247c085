"""The enrollment API beside HubSpot's v4 flows (HubSpot has none), plus its legacy v2 enroll call."""
