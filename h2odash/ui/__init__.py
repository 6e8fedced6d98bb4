"""The Jupyter dashboard: ipywidgets panels over the REST client, Plotly charts that update live."""
from .dashboard import Dashboard
from .panels.automl import AutoMLPanel
from .panels.cluster import ClusterPanel
from .panels.explain import ExplainPanel
from .panels.frames import FramesPanel
from .panels.jobs import JobsPanel
from .panels.models import ModelsPanel
from .panels.predict import PredictPanel
from .panels.train import TrainPanel

__all__ = ["Dashboard", "ClusterPanel", "FramesPanel", "TrainPanel", "ModelsPanel", "AutoMLPanel",
           "PredictPanel", "ExplainPanel", "JobsPanel"]
