"""gl_env's import graph is acyclic; the environments' render path needs no analysis layer (issue 10, item 26)."""

import ast
import subprocess
import sys
from pathlib import Path

import gl_env

PACKAGE = Path(gl_env.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """gl_env modules ``path`` imports anywhere (inside functions too), except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gl_env"):
            submodules = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= submodules or {node.module}
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph = {}
    for name, path in files.items():
        # A package's __init__ re-exporting its own submodules, and a submodule importing its
        # package, are how Python packages are built, not dependencies between ideas.
        graph[name] = {
            m
            for m in _imports(path, modules)
            if m != name and not m.startswith(name + ".") and not name.startswith(m + ".")
        }
    return graph


def test_the_import_graph_of_gl_env_is_acyclic():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_rendering_a_dashboard_imports_no_analysis_layer_and_no_agents():
    code = (
        "import sys, gymnasium as gym, numpy as np, gl_env\n"
        "for vec in (False, True):\n"
        "    env = (gym.make_vec('gl_env/GreatLeap-v1', num_envs=2, render_mode='rgb_array', num_years=1) if vec\n"
        "           else gym.make('gl_env/GreatLeap-v1', render_mode='rgb_array', num_years=1))\n"
        "    env.reset(seed=0)\n"
        "    env.step(env.action_space.sample())\n"
        "    env.render()\n"
        "bad = [m for m in ('gl_env.plots', 'gl_env.metrics', 'gl_env.rollout', 'gl_env.agents') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == ""
