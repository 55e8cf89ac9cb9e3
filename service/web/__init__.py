"""The staff workspace: server-rendered pages for BKK officers, employers and the labour office."""
