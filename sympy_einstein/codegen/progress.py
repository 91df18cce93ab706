"""Compile progress in Jupyter: a status line with a progress bar for Numba compiles over a second.

Outside a Jupyter kernel nothing is displayed (slow compiles are logged by :mod:`.tiered`). In a
kernel, the first call of a lambdified function reserves an empty output in the calling cell (made in
the caller's thread, so it lands in that cell even when the compile runs in a background thread). If
the compile is still running after ``delay`` seconds, the output becomes an animated bar and the text
``compiling loss(X, w, y) with Numba ...``; when it ends, the line says how long it took (or why it
failed). Compiles faster than ``delay`` leave the output empty.
"""
from __future__ import annotations

import html
import sys
import threading
import time


class Status:
    """One status line: HTML (with an indeterminate ``<progress>`` bar while ``busy``) and plain text.

    >>> Status("compiling f(x) with Numba", busy=True)
    compiling f(x) with Numba
    >>> Status("a < b")._repr_html_()
    '<span>a &lt; b</span>'
    """

    def __init__(self, text: str, busy: bool = False):
        self.text, self.busy = text, busy

    def _repr_html_(self) -> str:
        bar = '<progress style="width: 8em; vertical-align: middle"></progress> ' if self.busy else ""
        return f"{bar}<span>{html.escape(self.text)}</span>"

    def __repr__(self) -> str:
        return self.text


class CompileProgress:
    """Context manager around one compile: shows ``label`` as busy after ``delay`` seconds, then the result.

    ``handle`` is a display handle (``update(obj)``), by default one reserved in the current Jupyter
    cell by :func:`jupyter_handle`; without one (``None``) the manager does nothing.

    >>> class Handle:
    ...     def update(self, status):
    ...         print(repr(status))
    >>> with CompileProgress("loss(X)", delay=0.0, handle=Handle()) as progress:
    ...     progress.shown.wait(5)
    compiling loss(X) with Numba (NumPy answers meanwhile) ...
    True
    compiled loss(X) with Numba in 0.0 s
    >>> with CompileProgress("loss(X)", delay=60.0, handle=Handle()):
    ...     pass  # fast: nothing shown
    """

    def __init__(self, label: str, delay: float, handle=None, answering: str = "NumPy answers meanwhile"):
        self.label, self.handle = label, handle
        self.busy_text = f"compiling {label} with Numba ({answering}) ..."
        self.shown = threading.Event()
        self._timer = threading.Timer(delay, self._show) if handle is not None else None
        self._start = 0.0

    def __enter__(self):
        self._start = time.perf_counter()
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        self.handle.update(Status(self.busy_text, busy=True))
        self.shown.set()

    def __exit__(self, kind, error, traceback) -> None:
        if self._timer is None:
            return
        self._timer.cancel()
        self._timer.join()
        if not self.shown.is_set():
            return
        seconds = time.perf_counter() - self._start
        if error is None:
            self.handle.update(Status(f"compiled {self.label} with Numba in {seconds:.1f} s"))
        else:
            self.handle.update(Status(f"compiling {self.label} with Numba failed after {seconds:.1f} s: {error}"))


def jupyter_handle():
    """An empty output reserved in the running Jupyter cell (a display handle), or ``None`` outside Jupyter.

    Never imports IPython: outside a session that already loaded it, the answer is ``None``.

    >>> jupyter_handle() is None  # a doctest runs outside a Jupyter kernel
    True
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    from IPython.display import display
    return display(Status(""), display_id=True)
