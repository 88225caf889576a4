"""Tests for pipelines.text: normalisation, sentences, jieba with the domain dictionary, n-grams, hashes."""

from __future__ import annotations

import pickle

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipelines.text import char_ngrams, normalize, split_sentences, stopwords, text_hash, tokenize_zh


def test_normalize_half_width_latin_and_digits_but_keeps_chinese_punctuation():
    assert normalize("ＡＩＧＣ与５Ｇ，共１０％！") == "AIGC与5G，共10%！"


def test_normalize_collapses_spaces_and_drops_spaces_inside_chinese():
    raw = "  融 媒 体\u3000中心\t上线  of  the app \u200b\n\n\n 第二段  "
    assert normalize(raw) == "融媒体中心上线 of the app\n第二段"


def test_normalize_empty_and_none_like():
    assert normalize("") == ""
    assert normalize(" \n\t\u3000 ") == ""


def test_split_sentences_on_chinese_marks_and_newlines():
    text = "中心于2019年挂牌。用户增长20倍！效果如何？很好；继续……\n新的一段"
    assert split_sentences(text) == [
        "中心于2019年挂牌。",
        "用户增长20倍！",
        "效果如何？",
        "很好；",
        "继续……",
        "新的一段",
    ]


def test_split_sentences_keeps_quotations_together():
    text = "负责人表示：“我们要做强平台。再做优内容！”此后上线了“兰精灵”APP。（注：见附件。）"
    assert split_sentences(text) == [
        "负责人表示：“我们要做强平台。再做优内容！”",
        "此后上线了“兰精灵”APP。",
        "（注：见附件。）",
    ]


def test_split_sentences_unclosed_quote_does_not_swallow_the_text():
    text = "他说：“" + "很长的引文。" * 60 + "结束。"
    sentences = split_sentences(text)
    assert len(sentences) > 2
    assert "".join(sentences) == normalize(text)


def test_split_sentences_empty():
    assert split_sentences("") == []


def test_tokenize_keeps_domain_terms_whole_and_drops_stop_words():
    tokens = tokenize_zh("县级融媒体中心推出ＡＩＧＣ数字人主播，并打造新媒体矩阵，讲好中国故事。")
    for term in ("县级融媒体中心", "aigc", "数字人", "新媒体矩阵", "讲好中国故事"):
        assert term in tokens
    assert "，" not in tokens and "并" not in tokens
    assert not set(tokens) & stopwords()


def test_tokenize_empty_text():
    assert tokenize_zh("") == []
    assert tokenize_zh("，。！") == []


def test_tokenize_zh_pickles_inside_a_vectorizer():
    vectorizer = TfidfVectorizer(tokenizer=tokenize_zh, token_pattern=None, lowercase=False)
    vectorizer.fit(["融媒体中心建设客户端", "国际传播中心运营海外账号"])
    clone = pickle.loads(pickle.dumps(vectorizer))
    assert "客户端" in clone.vocabulary_
    assert clone.transform(["客户端"]).nnz == 1


def test_char_ngrams_ignore_spaces_and_punctuation():
    assert char_ngrams("融媒体，中 心", 2) == ["融媒", "媒体", "体中", "中心"]
    assert char_ngrams("融", 3) == ["融"]
    assert char_ngrams("，。", 2) == []


def test_char_ngrams_rejects_bad_length():
    with pytest.raises(ValueError, match="n-gram"):
        char_ngrams("融媒体", 0)


def test_text_hash_ignores_width_and_spacing_but_not_content():
    assert text_hash("ＡＩ 主播  上线") == text_hash("AI 主播 上线")
    assert text_hash("AI主播上线") != text_hash("AI主播下线")
    assert len(text_hash("")) == 64


@pytest.mark.parametrize(
    ("numeral", "lenient", "strict"),
    [
        ("十二", 12, 12),
        ("一百零五", 105, 105),
        ("两千三百", 2300, 2300),
        ("千万", 1e7, 1e7),
        ("一亿二千万", 1.2e8, 1.2e8),
        ("十十", 20, None),
        ("三五", 5, None),
        ("三个", 3, None),
    ],
)
def test_chinese_numbers_lenient_and_strict(numeral, lenient, strict):
    from pipelines.text import chinese_number

    assert chinese_number(numeral) == lenient
    assert chinese_number(numeral, strict=True) == strict
