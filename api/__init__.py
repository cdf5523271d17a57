"""The web face of casefile-reviewer: REST API (FastAPI) and server-rendered pages over ``reviewer.store``."""
from .app import create_app

__all__ = ["create_app"]
