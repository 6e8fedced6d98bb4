"""What the benchmark reads from the browser: chart draws, long tasks, the page's JavaScript heap
and main-thread time (Chrome DevTools Protocol), and every websocket frame between the page and
its kernel, decoded far enough to count new widgets, their JavaScript and the kernel's busy time.
"""
from __future__ import annotations

import json
import os
import struct
import time
from dataclasses import dataclass, field

# Runs in the page before its own scripts. Every Plotly chart (``.js-plotly-plot``) gets a list
# of the moments it drew (afterplot, restyle, relayout...), read by the readiness checks; it is
# hooked within 20 ms of appearing, and that moment counts as its first draw (a new chart may
# draw before the hook). Long tasks (main thread busy ≥ 50 ms) are kept too.
INIT_SCRIPT = """
(() => {
  const bench = window.__bench = { longtasks: [] };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  const EVENTS = ["plotly_afterplot", "plotly_restyle", "plotly_relayout", "plotly_update", "plotly_redraw"];
  const hook = () => {
    for (const gd of document.querySelectorAll(".js-plotly-plot")) {
      if (gd.__benchDraws || typeof gd.on !== "function") continue;
      gd.__benchDraws = [performance.now()];
      for (const name of EVENTS) gd.on(name, () => gd.__benchDraws.push(performance.now()));
    }
  };
  setInterval(hook, 20);
})();
"""

# Chrome's Performance.getMetrics: the main thread's busy time, by kind, in seconds.
CPU_METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


@dataclass
class Traffic:
    """Websocket frames in both directions since the last :meth:`reset`."""

    received_bytes: int = 0
    sent_bytes: int = 0
    received_frames: int = 0
    sent_frames: int = 0
    comm_opens: int = 0                 # new widget models the kernel made
    comm_closes: int = 0
    esm_bytes: int = 0                  # anywidget JavaScript carried by those models
    opened_classes: dict[str, int] = field(default_factory=dict)
    largest: list[tuple[int, str]] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)   # kernel busy→idle spans (s), wall clock
    idle_at: list[tuple[float, float]] = field(default_factory=list)  # (busy since, idle at), perf_counter
    _busy_since: float | None = None
    undecoded: int = 0

    def reset(self) -> None:
        self.__init__()

    def on_received(self, payload) -> None:
        size = len(payload)
        self.received_bytes += size
        self.received_frames += 1
        message = decode(payload)
        if message is None:
            self.undecoded += 1
            return
        kind = message.get("header", {}).get("msg_type") or message.get("msg_type")
        content = message.get("content") or {}
        if kind == "status":
            state = content.get("execution_state")
            if state == "busy" and self._busy_since is None:
                self._busy_since = time.perf_counter()
            elif state == "idle" and self._busy_since is not None:
                now = time.perf_counter()
                self.busy.append(now - self._busy_since)
                self.idle_at.append((self._busy_since, now))
                self._busy_since = None
        elif kind == "comm_open":
            self.comm_opens += 1
            state = (content.get("data") or {}).get("state") or {}
            name = state.get("_model_name") or content.get("target_name") or "?"
            if "_esm" in state:
                name = f"{name} ({state.get('_anywidget_id') or 'anywidget'})"
                self.esm_bytes += len(state.get("_esm") or "")
            self.opened_classes[name] = self.opened_classes.get(name, 0) + 1
        elif kind == "comm_close":
            self.comm_closes += 1
        if size > 100_000:
            self.largest.append((size, str(kind)))

    def idle_after(self, since: float) -> float | None:
        """When the kernel went idle after being busy with something that started after ``since``."""
        return next((idle for busy, idle in self.idle_at if busy >= since), None)

    def on_sent(self, payload) -> None:
        self.sent_bytes += len(payload)
        self.sent_frames += 1

    def summary(self) -> dict:
        return {"received_bytes": self.received_bytes, "sent_bytes": self.sent_bytes,
                "received_frames": self.received_frames, "sent_frames": self.sent_frames,
                "widgets_created": self.comm_opens, "widgets_closed": self.comm_closes,
                "anywidget_js_bytes": self.esm_bytes, "created_by_class": dict(self.opened_classes),
                "kernel_busy_s": round(sum(self.busy), 3), "kernel_busy_spans": len(self.busy),
                "frames_over_100kB": sorted(self.largest, reverse=True)[:5]}


def decode(payload) -> dict | None:
    """A Jupyter message from a websocket frame: JSON text (the legacy protocol), or the binary
    ``v1.kernel.websocket.jupyter.org`` form Jupyter Server speaks to JupyterLab and Voilà (a
    little-endian uint64 count of offsets, the offsets, then channel, header, parent header,
    metadata, content and buffers)."""
    try:
        if isinstance(payload, str):
            return json.loads(payload)
        data = bytes(payload)
        count = struct.unpack_from("<Q", data, 0)[0]
        if not 5 <= count <= 1000:
            return None
        offsets = struct.unpack_from(f"<{count}Q", data, 8)
        parts = [data[offsets[i]:offsets[i + 1]] for i in range(min(count - 1, 5))]
        channel, header, _parent, _metadata, content = parts
        return {"channel": channel.decode(), "header": json.loads(header), "content": json.loads(content)}
    except (ValueError, struct.error, UnicodeDecodeError):
        return None


class Probe:
    """Attach to a playwright page: websocket traffic, CDP metrics, draw hooks."""

    def __init__(self, page):
        self.page = page
        self.traffic = Traffic()
        self.kernel = None  # the page's kernel process (psutil), once known: its CPU time per span
        page.add_init_script(INIT_SCRIPT)
        page.on("websocket", self._on_websocket)
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.cdp.send("HeapProfiler.enable")

    def _on_websocket(self, socket) -> None:
        if "/channels" not in socket.url and "/kernels/" not in socket.url:
            return
        socket.on("framereceived", self.traffic.on_received)
        socket.on("framesent", self.traffic.on_sent)

    def metrics(self) -> dict[str, float]:
        found = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: m["value"] for m in found}

    def collect_garbage(self) -> None:
        self.cdp.send("HeapProfiler.collectGarbage")

    def heap_mb(self, gc: bool = True) -> float:
        """The page's used JavaScript heap, after a forced garbage collection."""
        if gc:
            self.collect_garbage()
            self.collect_garbage()
        return self.metrics()["JSHeapUsedSize"] / 2**20

    def now(self) -> float:
        """The page's clock (ms, ``performance.now()``)."""
        return self.page.evaluate("performance.now()")

    def long_tasks_since(self, since_ms: float) -> tuple[int, float]:
        """Count and total duration (ms) of long tasks that started after ``since_ms``."""
        return tuple(self.page.evaluate(
            "(since) => { const t = window.__bench.longtasks.filter(([s]) => s >= since);"
            " return [t.length, t.reduce((a, [, d]) => a + d, 0)]; }", since_ms))


def _cpu_seconds(process) -> float | None:
    """User + system CPU time of a process and its threads (None when unknown or gone)."""
    if process is None:
        return None
    try:
        times = process.cpu_times()
        return times.user + times.system
    except Exception:  # noqa: BLE001 - psutil.Error; the process may have gone
        return None


class Span:
    """Browser main-thread time, long tasks and websocket traffic across one user action."""

    def __init__(self, probe: Probe):
        self.probe = probe

    def __enter__(self) -> "Span":
        self.probe.traffic.reset()
        self.before = self.probe.metrics()
        self.kernel_cpu_before = _cpu_seconds(self.probe.kernel)
        self.page_start = self.probe.now()
        self.wall_start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall_start
        after = self.probe.metrics()
        self.cpu = {name: after.get(name, 0) - self.before.get(name, 0) for name in CPU_METRICS}
        self.long_tasks = self.probe.long_tasks_since(self.page_start)
        after_cpu = _cpu_seconds(self.probe.kernel)
        before_cpu = self.kernel_cpu_before
        self.kernel_cpu = None if after_cpu is None or before_cpu is None else after_cpu - before_cpu
        self.load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        self.traffic = self.probe.traffic.summary()

    def summary(self) -> dict:
        return {"wall_s": round(self.wall, 3),
                "kernel_cpu_s": None if self.kernel_cpu is None else round(self.kernel_cpu, 3),
                "load_1min": None if self.load is None else round(self.load, 2),
                "browser_main_thread_s": {k: round(v, 3) for k, v in self.cpu.items()},
                "long_tasks": self.long_tasks[0], "long_tasks_ms": round(self.long_tasks[1]),
                **self.traffic}
