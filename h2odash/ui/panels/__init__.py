"""The dashboard's panels; each works alone too, e.g. ``FramesPanel(client)``."""
