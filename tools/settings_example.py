"""Write ``config.example.toml`` from the one settings table (``pipelines.config.Settings`` and its metadata).

Run ``python -m tools.settings_example`` after adding or changing a setting; ``tests/test_config.py`` fails
while the file in the repo differs from what this script writes.
"""

from __future__ import annotations

from dataclasses import fields

from pipelines import config, settings_io

HEADER = (
    "# 由 python -m tools.settings_example 按 pipelines/config.py 的设置表生成，请勿手工修改。\n"
    "# 复制为 config.toml 后修改；环境变量 WORKBENCH_<键名大写> 优先于本文件（例如 WORKBENCH_LLM_BASE_URL）。\n"
    "# Copy to config.toml; environment variables WORKBENCH_<KEY> override this file.\n"
)


def render() -> str:
    """The text of config.example.toml: every setting by group, with its label, help, rule and default.

    Returns:
        The whole file, ending in a newline.
    """
    blocks = [HEADER]
    for group in config.GROUPS:
        lines = [f"# ==== {group} ===="]
        for item in fields(config.Settings):
            meta = config.setting_meta(item.name)
            if meta["group"] != group:
                continue
            notes = [meta["label"], meta["help"], settings_io.rule_text(item.name)]
            lines.append("# " + "；".join(note for note in notes if note))
            if meta["example"]:  # server-specific or secret: shown commented out, the default stays in force
                lines.append(f"# {item.name} = {meta['example']}")
            else:
                lines.append(f"{item.name} = {settings_io.toml_value(item.default)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def main() -> None:
    path = config.PROJ_ROOT / "config.example.toml"
    path.write_text(render(), encoding="utf-8")
    print(f"已写入 {path}")


if __name__ == "__main__":
    main()
