"""Train: pick an algorithm, fill the form generated from its parameters, and watch the model
learn: a progress bar and a scoring-history chart that grows while the job runs; then a button
opens the new model in the Models panel. A grid search over a few hyper-parameters starts from
the same form.

Train stays disabled until the form names a training frame (and a response, for a supervised
algorithm); while a model trains the button says so. Id-like columns of the training frame are
proposed as ignored columns."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import ipywidgets as widgets
import traitlets

from h2odash.client import H2OClient, H2OJobError, H2ONotFoundError

from ..forms import ParameterForm
from ..grid_search import GridSearchBox
from ..history_view import ScoringHistoryView
from .base import OpenModel, Panel, frame_facts, frame_ids

RUNNING = ("CREATED", "RUNNING")


@dataclass
class TrainingState:
    """The algorithms on offer and the training job being watched."""

    builders: dict[str, dict] = field(default_factory=dict)
    job: dict | None = None
    model_id: str | None = None
    job_status: str | None = None
    # The longest scoring-history series seen while the job was still running: proof that the
    # chart grew live, not only once the model was done.
    points_while_running: int = 0


class TrainPanel(Panel):
    """Train a model from a form generated from ``GET /3/ModelBuilders`` metadata.

    Parameters
    ----------
    client : H2OClient
    open_model : callable, optional
        ``open_model(model_id)`` behind the "Open model" button; the Dashboard passes one that
        shows the model in its Models panel. Without it the button is not shown.
    """

    def __init__(self, client: H2OClient, open_model: OpenModel | None = None):
        self.state = TrainingState()
        self.open_model = open_model
        self.form: ParameterForm | None = None
        self.algorithm = widgets.Dropdown(description="Algorithm", options=[], layout=widgets.Layout(width="420px"))
        self.form_box = widgets.VBox()
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True)
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Progress")
        self.job_label = widgets.Label()
        self.train_hint = widgets.HTML().add_class("h2odash-train-hint")  # why Train is greyed out
        self.open_button = widgets.Button(description="Open model", icon="external-link", disabled=True,
                                          layout=widgets.Layout(display="" if open_model else "none"))
        self.history = ScoringHistoryView()
        # progress and scoring history of the training under way: shown only while there is one
        self.run_box = widgets.VBox([widgets.HBox([self.progress, self.job_label]), self.history],
                                    layout=widgets.Layout(display="none"))
        # The grid search box is built when its section is first opened: a hundred widgets the
        # page would otherwise load for every user.
        self.grid: GridSearchBox | None = None
        self.grid_section = widgets.Accordion(children=[widgets.VBox()], titles=("Grid search",))
        self.grid_section.selected_index = None
        self.grid_section.observe(self._on_grid_opened, names="selected_index")
        self.algorithm.observe(self._on_algorithm_selected, names="value")
        self.train_button.on_click(self._on_train)
        self.cancel_button.on_click(self._on_cancel)
        self.open_button.on_click(self._on_open)
        super().__init__(client, [self.algorithm, self.form_box,
                                  widgets.HBox([self.train_button, self.cancel_button, self.open_button,
                                                self.train_hint]),
                                  self.status, self.run_box, self.grid_section])
        self.guarded(self._load_builders)

    def _load_builders(self) -> None:
        self.state.builders = self.client.model_builders()
        algorithms = sorted(self.state.builders)
        self.algorithm.options = [(f"{b.get('algo_full_name') or a} ({a})", a)
                                  for a, b in sorted(self.state.builders.items())]
        if algorithms:
            self.algorithm.value = "gbm" if "gbm" in algorithms else algorithms[0]

    def refresh(self) -> None:
        if self.form is not None:
            self.guarded(lambda: self.form.set_frames(frame_ids(self.client)))

    # -- the form -------------------------------------------------------------------------
    def _on_algorithm_selected(self, change) -> None:
        if self.state.job_status not in RUNNING:
            self._show_run(False)  # the last training's outcome does not describe the new form
        previous = self.form
        self.form = ParameterForm(self.state.builders[change["new"]])
        self.form_box.children = [self.form]
        if "training_frame" in self.form.fields:
            self.form.fields["training_frame"].observe(self._on_training_frame_selected, names="value")
        for name in ("training_frame", "response_column", "autoencoder"):
            if name in self.form.fields:
                self.form.fields[name].observe(self._update_train_button, names="value")
        self.refresh()
        # Switching algorithm keeps the data choices the user already made, when still offered.
        if previous is not None:
            for name in ("training_frame", "validation_frame", "response_column", "ignored_columns"):
                if name in previous.fields and name in self.form.fields:
                    with contextlib.suppress(traitlets.TraitError):
                        self.form.set_value(name, previous.fields[name].value)
        if self.grid is not None:
            self.grid.set_algorithm(change["new"])
        self._update_train_button()

    def _on_training_frame_selected(self, change) -> None:
        if change["new"] is None:
            self.form.set_columns([])
            return

        def load():
            columns, levels, id_like = frame_facts(self.client, change["new"])
            self.form.set_columns(columns, levels, ignore=id_like)
            if id_like:
                self.status.info(f"Ignoring {', '.join(id_like)}: id-like columns identify rows and would "
                                 "only teach the model noise (take them out of ignored_columns to use them).")
        self.guarded(load)

    def _missing_choice(self) -> str | None:
        """What the form still needs before it can train, in words (None: ready)."""
        if self.form is None:
            return "an algorithm"
        if "training_frame" in self.form.fields and self.form.fields["training_frame"].value is None:
            return "a training frame"
        if self.form.needs_response and self.form.fields["response_column"].value is None:
            return "a response column"
        return None

    def _update_train_button(self, change=None) -> None:
        if self.state.job_status in RUNNING and self.state.job is not None:
            return  # busy: the button comes back when the job ends
        missing = self._missing_choice()
        self.train_button.disabled = missing is not None
        self.train_button.tooltip = f"Choose {missing} first." if missing else "Train a model with these parameters."
        self.train_hint.value = f"<small style='color:#777'>choose {missing} to train</small>" if missing else ""

    def _on_grid_opened(self, change) -> None:
        if change["new"] is None or self.grid is not None:
            return
        self.grid = GridSearchBox(self.client, self._grid_parameters, open_model=self.open_model,
                                  algo=self.algorithm.value)
        self.grid_section.children[0].children = [self.grid]

    def _grid_parameters(self) -> tuple[str, dict]:
        """The algorithm and the form's parameters, for a grid search (raises ValueError with
        what is missing)."""
        missing = self._missing_choice()
        if missing:
            raise ValueError(f"Choose {missing} in the form above first.")
        return self.algorithm.value, self.form.values()

    # -- training -------------------------------------------------------------------------
    def _on_train(self, _button) -> None:
        self.status.clear()
        try:
            params = self.form.values()
        except ValueError as exc:
            self.status.error(str(exc))
            return
        training_frame = params.pop("training_frame", None)
        if training_frame is None:
            self.status.error("Choose a training frame.")
            return
        algorithm = self.algorithm.value
        self._busy(True)
        self._show_run(True)
        self.open_button.disabled = True
        self.status.info("Submitting…")

        def submit():
            # The POST itself can take seconds on a busy server: it too stays off the callback.
            try:
                job = self.client.train(algorithm, training_frame, wait=False, **params)
            except Exception as exc:
                self._busy(False)
                self._show_run(False)  # nothing ran: no empty chart, no stale progress
                self.form.mark_named_in(str(getattr(exc, "msg", "") or exc))
                raise
            self._watch(job)
        self.in_background(submit)

    def _show_run(self, shown: bool) -> None:
        """A fresh progress bar and history for a new training, or none at all."""
        self.progress.value, self.progress.bar_style, self.job_label.value = 0.0, "", ""
        self.history.clear()
        self.run_box.layout.display = "flex" if shown else "none"

    def _busy(self, busy: bool) -> None:
        self.train_button.description = "Training…" if busy else "Train"
        self.train_button.icon = "spinner" if busy else "play"
        if busy:
            self.train_button.disabled = True
        else:
            self.state.job_status = None
            self._update_train_button()

    def _watch(self, job: dict) -> None:
        self.state = TrainingState(builders=self.state.builders, job=job, model_id=(job.get("dest") or {}).get("name"))
        self.cancel_button.disabled = False
        self.status.info(f"Training {self.state.model_id}…")
        self.poll(self._watch_job, interval=0.3)

    def _watch_job(self) -> bool:
        """One look at the job and the model-so-far; True once the job has ended."""
        job = self.client.job(self.state.job)
        status = job.get("status")
        self.progress.value = float(job.get("progress") or 0.0)
        self.job_label.value = f"{status} {job.get('progress_msg') or ''}".strip()
        points = self._show_history()
        if status in RUNNING:
            self.state.points_while_running = max(self.state.points_while_running, points)
        self.state.job_status = status
        if status in RUNNING:
            return False
        self.cancel_button.disabled = True
        self._busy(False)
        self.state.job_status = status
        if status == "DONE":
            self.progress.bar_style = "success"
            self.open_button.disabled = False
            self.status.info(f"Trained {self.state.model_id}. Open it in the Models panel.")
        elif status == "CANCELLED":
            self.progress.bar_style = "warning"
            self.status.info(f"Training of {self.state.model_id} was cancelled.")
        else:
            self.progress.bar_style = "danger"
            self.form.mark_named_in(str(job.get("exception") or ""))
            self.status.error(H2OJobError(job))
        return True

    def _show_history(self) -> int:
        """Draw the model's scoring history so far; return the number of points of its longest series."""
        if not self.state.model_id:
            return 0
        try:
            model = self.client.model(self.state.model_id)
        except H2ONotFoundError:  # not stored yet (or the job failed before it was)
            return 0
        table = (model.get("output") or {}).get("scoring_history")
        return self.history.show(table, filename=f"{self.state.model_id}_scoring_history.csv")

    def _on_cancel(self, _button) -> None:
        if self.state.job is not None:
            self.guarded(lambda: self.client.cancel_job(self.state.job))

    def _on_open(self, _button) -> None:
        if self.open_model is not None and self.state.model_id:
            self.guarded(lambda: self.open_model(self.state.model_id))

    def close(self) -> None:
        if self.grid is not None:
            self.grid.close()
        super().close()
