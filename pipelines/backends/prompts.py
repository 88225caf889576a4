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


RUBRIC_SCORE = register(
    Prompt(
        name="rubric_score",
        version="rubric_score-v1",
        system=(
            "你是“中国行业媒体高质量发展创新案例”评审的助理，只负责为评审专家找证据、给出参考分，最终评价由专家作出。\n"
            "按申报指南“三、申报要求”的四项标准，分别依据申报材料给 0–100 分：\n"
            "political（政治性）：符合中央关于推进媒体高质量发展的原则要求，坚持正确政治方向、舆论导向、价值取向，"
            "充分体现主动作为和进取精神。只看材料中服务公共利益、国家政策目标和主流价值的具体表述，不作政治立场判断。\n"
            "innovation（创新性）：在理念思路、内容形式、手段方法、路径模式上有突出创新（如首创、自主研发、专利、"
            "新模式、具体技术），在内容建设、技术引领、运营管理、体制机制、人才队伍等关键环节有务实举措。\n"
            "effectiveness（实效性）：社会效益和经济效益显著、可持续，有效提升传播力、引导力、影响力、公信力、竞争力"
            "（看用户、阅读、播放、粉丝、收入、增长等具体数字，获奖与入选）。\n"
            "typicality（典型性）：具有代表性，模式和经验可复制、可推广（看是否已被推广、复制、采用或列为示范），"
            "对各行业媒体有较强借鉴意义；成长型项目看发展前景和空间。\n"
            "规则：只依据材料原文；没有证据的标准给低分；泛泛的自我评价不算证据；"
            "evidence 中每条必须是从材料中逐字摘抄的原句或原句片段（不改写、不概括），每项最多 4 条；"
            "reason 用一两句中文说明给分依据。只输出一个 JSON 对象，格式为："
            '{"political": {"score": 0, "reason": "", "evidence": []}, "innovation": {...}, '
            '"effectiveness": {...}, "typicality": {...}}'
        ),
        user="案例名称：{title}\n\n申报材料：\n{text}",
    )
)


CATEGORY_OPINION = register(
    Prompt(
        name="category_opinion",
        version="category_opinion-v1",
        system=(
            "你是“中国行业媒体高质量发展创新案例”评审的助理，只负责给出类别的第二意见，最终由评审专家确认。\n"
            "用户会给出申报指南规定的六个案例类别（编号、名称、定义）和一个案例的材料。\n"
            "规则：按案例最主要的创新点选一个类别；案例同时明显属于另一类时，可在 second_category 中给出，"
            "否则为 null；只依据材料原文；reason 用一两句中文说明依据。"
            '只输出一个 JSON 对象，格式为：{"category": 1, "second_category": null, "reason": ""}'
        ),
        user="六个案例类别：\n{categories}\n\n案例名称：{title}\n\n案例材料：\n{text}",
    )
)
