"""The Hugging Face Hub source: ``client`` (huggingface_hub, retries, memo, metadata cache),
``read`` (one model at an exact commit), ``lineage`` (the walk through base models)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.sources.hub.options import HubOptions

if TYPE_CHECKING:
    from checker.sources.raw import RawModel
    from checker.sources.session import Session
    from checker.sources.targets import Target


class HubSource:
    """Models on the Hub, read at the commit a revision resolves to."""

    name = "hub"

    def read(self, target: Target, session: Session) -> RawModel:
        """model_info, card, configs, licence files and the lineage of one Hub model."""
        from checker.sources.hub.read import read_hub

        return read_hub(target, session.hub)

    def ready(self, target: Target, session: Session) -> bool:
        """Whether reading ``target`` should need no request (``checker.sources.hub.ready``)."""
        from checker.sources.hub.ready import ready

        return ready(session.hub, target)


__all__ = ["HubOptions", "HubSource"]
