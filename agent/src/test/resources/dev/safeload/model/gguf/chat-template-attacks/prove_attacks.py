"""Renders each line of attacks.txt with jinja2.Environment (no sandbox) and prints what it
reached; the user message is "__globals__", for templates that take the name from the chat.
reached. Run with a Python that has Jinja2 (3.1): python3 prove_attacks.py
Lines that need files (include, import, extends) are shown to try the loader instead."""
import jinja2

env = jinja2.Environment(loader=jinja2.DictLoader({"secrets.txt": "SECRET", "macros.j2": "{% macro m() %}M{% endmacro %}",
                                                   "base.j2": "BASE"}))
for line in open(__file__.replace("prove_attacks.py", "attacks.txt")):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    try:
        out = env.from_string(line).render(messages=[{"role": "user", "content": "__globals__"}])
    except Exception as e:  # noqa: BLE001 - a template the engine refuses proves nothing
        out = "ERROR " + type(e).__name__ + ": " + str(e)
    print(repr(line)[:70].ljust(72), "->", out[:90].replace("\n", " "))
