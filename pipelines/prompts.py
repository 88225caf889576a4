"""Every LLM prompt of the workbench, named and versioned in one place.

Change a prompt's text → bump its version: cached answers are keyed by (text hash, prompt version, model), and
stored suggestions record the version they came from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str  # str.format template

    def render(self, **variables: object) -> list[dict[str, str]]:
        """Chat messages for the OpenAI chat-completions API."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format(**variables)},
        ]


PROMPTS: dict[str, Prompt] = {}


def register(prompt: Prompt) -> Prompt:
    PROMPTS[prompt.name] = prompt
    return prompt
