"""clean: the seed articles come out as headline + dateline + byline + article text only."""

from __future__ import annotations

import re
import unicodedata

import pytest

from newswire.core import text as textutil
from newswire.core.clean import Cleaner
from newswire.core.records import CleanArticle, RawArticle, Rejected

HEADLINE_000 = "Russia and China set to sign bilateral pacts despite Western criticism"
DATELINE_000 = "BEIJING, May 23 (Reuters) – "
LAST_000 = "Li Hui is due to travel to Russia on Friday, Russian news agency TASS reported."
# A word: letters/digits, possibly joined by an apostrophe or hyphen ("minister’s", "12-point").
WORD = re.compile(r"[A-Za-z0-9]+(?:[’'-][A-Za-z0-9]+)*")


@pytest.fixture(scope="module")
def expected_body_000(seeds) -> str:
    """The clean body of seed 000, built by hand from the file: drop the repeated headline,
    the dateline prefix and the three closing lines (credits, standards, comment link)."""
    paragraphs = seeds.paragraphs("000")
    assert paragraphs[0] == HEADLINE_000  # the repeat of the headline line
    assert paragraphs[1].startswith(DATELINE_000)
    assert paragraphs[-3].startswith("Reporting by Ryan Woo")
    assert paragraphs[-2] == "Our standards: The Thomson Reuters Trust Principles."
    assert paragraphs[-1] == "Leave a Comment"
    body = [paragraphs[1][len(DATELINE_000) :], *paragraphs[2:-3]]
    return "\n\n".join(body)


@pytest.fixture(scope="module")
def clean_000(clean_seeds) -> CleanArticle:
    return clean_seeds["000"]


# ---------------------------------------------------------------- seed 000


def test_000_headline_once(clean_000: CleanArticle) -> None:
    assert clean_000.headline == HEADLINE_000
    assert HEADLINE_000 not in clean_000.body
    assert not clean_000.body.startswith("Russia and China set to sign")


def test_000_body_starts_with_the_lede(clean_000: CleanArticle) -> None:
    assert clean_000.body.startswith("Russia and China are set to sign")


def test_000_body_is_exactly_the_article_text(
    clean_000: CleanArticle, expected_body_000: str
) -> None:
    assert clean_000.body == expected_body_000


def test_000_dateline(clean_000: CleanArticle) -> None:
    assert clean_000.dateline is not None
    assert clean_000.dateline.location == "BEIJING"
    assert clean_000.dateline.date == "May 23"
    assert clean_000.dateline.agency == "Reuters"
    assert clean_000.dateline.region is None
    assert "BEIJING" not in clean_000.body
    assert "(Reuters)" not in clean_000.body


def test_000_byline(clean_000: CleanArticle) -> None:
    assert clean_000.byline.authors == ("Ryan Woo",)
    assert clean_000.byline.contributors == ("Lidia Kelly", "Ethan Wang")
    assert clean_000.byline.editors == ("Michael Perry",)
    assert "Reporting by" not in clean_000.body
    assert "Editing by" not in clean_000.body
    for name in ("Ryan Woo", "Lidia Kelly", "Ethan Wang", "Michael Perry"):
        assert name not in clean_000.body


def test_000_chrome_removed(clean_000: CleanArticle) -> None:
    assert "Our standards" not in clean_000.body
    assert "Trust Principles" not in clean_000.body
    assert "Leave a Comment" not in clean_000.body
    assert set(clean_000.chrome_removed) == {"reuters_standards", "leave_comment"}


def test_000_last_paragraph_is_the_tass_sentence(clean_000: CleanArticle) -> None:
    assert clean_000.body.split("\n\n")[-1] == LAST_000


def test_000_typography_is_kept(clean_000: CleanArticle) -> None:
    assert "“Following the talks, a number of bilateral agreements are expected to be signed,”" in (
        clean_000.body
    )
    assert "prime minister’s trip" in clean_000.body
    assert "Mikhail Mishustin – the highest ranking" in clean_000.body  # en dash kept
    assert '"' not in clean_000.body


def test_000_language_and_counts(clean_000: CleanArticle, expected_body_000: str) -> None:
    assert clean_000.language == "en"
    assert clean_000.language_confidence > 0.9
    expected_words = len(WORD.findall(expected_body_000))
    assert expected_words > 400
    assert clean_000.word_count == expected_words
    assert clean_000.reading_time_minutes == max(1, round(expected_words / 230))


def test_000_raw_is_kept(clean_000: CleanArticle, seeds) -> None:
    assert clean_000.id == seeds.id("000")
    assert clean_000.raw.headline == HEADLINE_000
    assert clean_000.raw.body.lstrip().startswith(HEADLINE_000)


# ---------------------------------------------------------------- the other seeds


def test_001_ap_byline_and_dateline(clean_seeds) -> None:
    article = clean_seeds["001"]
    assert article.byline.authors == ("Jennifer Hale",)  # not "Jennifer Hale Associated Press"
    assert article.byline.contributors == () and article.byline.editors == ()
    assert article.dateline is not None
    assert (article.dateline.location, article.dateline.agency) == ("WASHINGTON", "AP")
    assert article.dateline.date is None
    assert article.body.startswith("A Senate committee on Thursday advanced")
    assert "Associated Press" not in article.body
    assert "JENNIFER HALE" not in article.body
    assert "Advertisement" not in article.body
    assert "Copyright" not in article.body and "All rights reserved" not in article.body
    assert {"advertisement", "copyright"} <= set(article.chrome_removed)
    assert article.body.endswith("but has not yet had a committee hearing.")


def test_002_chrome_before_dateline(clean_seeds) -> None:
    article = clean_seeds["002"]
    assert article.dateline is not None
    assert article.dateline.location == "PARIS"
    assert article.dateline.date == "June 3, 2024"
    assert article.dateline.agency == "AFP"
    assert article.body.startswith("Paris authorities said Monday")
    assert "Share this article" not in article.body
    assert "Sign up for our daily newsletter" not in article.body
    assert {"share", "newsletter"} <= set(article.chrome_removed)
    assert '"The rain we have had since April is exceptional' in article.body  # straight quotes


def test_003_html(clean_seeds) -> None:
    article = clean_seeds["003"]
    body = article.body
    assert article.headline == (
        "Kenyan tea prices climb at Mombasa auction as drought hits rival growers"
    )
    assert not re.search(r"<[a-zA-Z/!][^>]*>", body)
    assert "&lt;" not in body and "&amp;" not in body
    for chrome in (
        "cookies",
        "Accept all",
        "Manage preferences",
        "Home",
        "Opinion",
        "Subscribe",
        "Related stories",
        "Coffee exports rise",
        "Shilling steadies",
        "©",
        "All rights reserved",
        "Privacy policy",
        "Terms of use",
        "About us",
        "The Nairobi Ledger",
        "analytics.js",
    ):
        assert chrome not in body, chrome
    assert article.headline not in body
    assert article.dateline is not None
    assert article.dateline.location == "NAIROBI"
    assert article.dateline.region == "Kenya"
    assert article.dateline.agency is None
    assert body.startswith("Prices for Kenyan black tea rose for a fourth consecutive week")
    assert body.endswith("The next auction is scheduled for June 18.")
    assert "“Buyers who held back in the first quarter" in body
    assert len(body.split("\n\n")) == 9  # the nine <p> paragraphs of the article
    assert article.language == "en"


def test_006_located_credits(clean_seeds) -> None:
    article = clean_seeds["006"]
    assert article.dateline is not None
    assert (article.dateline.location, article.dateline.region) == ("HARBIN", "China")
    assert (article.dateline.date, article.dateline.agency) == ("May 18", "Reuters")
    assert article.byline.authors == ("Olga Petrova", "Liu Yang")
    assert article.byline.editors == ("Simon Carter",)
    assert "Reporting by" not in article.body
    assert article.body.endswith("The expo runs until May 21.")


def test_007_spanish(clean_seeds) -> None:
    article = clean_seeds["007"]
    assert article.language == "es"
    assert article.dateline is not None
    assert (article.dateline.location, article.dateline.date) == ("SEVILLA", "11 jul")
    assert article.dateline.agency == "EFE"
    assert article.body.startswith("La Agencia Estatal de Meteorología (Aemet)")
    assert "campiña" in article.headline


def test_place_lookup_sets_dateline_country_codes(seeds, gazetteer) -> None:
    cleaner = Cleaner(place_country=gazetteer.country_code)
    expected = {"000": "CN", "001": "US", "002": "FR", "003": "KE", "006": "CN", "007": "ES"}
    for prefix, code in expected.items():
        article = cleaner.clean(seeds.raw(prefix))
        assert isinstance(article, CleanArticle)
        assert article.dateline is not None
        assert article.dateline.country_code == code, prefix


# ---------------------------------------------------------------- edge cases


def raw(body: str, headline: str = "", **fields: str) -> RawArticle:
    return RawArticle(id="t-1", body=body, headline=headline, **fields)


def test_body_of_only_chrome_is_rejected(cleaner: Cleaner) -> None:
    result = cleaner.clean(
        raw("Share this article\n\nAdvertisement\n\nLeave a Comment\n\nAll rights reserved.")
    )
    assert isinstance(result, Rejected)
    assert result.reason == "empty_after_cleaning"
    assert result.stage == "clean"
    assert result.id == "t-1"


def test_body_of_headline_dateline_and_credits_only_is_rejected(cleaner: Cleaner) -> None:
    body = "Rates rise\n\nReporting by Ryan Woo; Editing by Michael Perry\n\nLeave a Comment"
    result = cleaner.clean(raw(body, headline="Rates rise"))
    assert isinstance(result, Rejected)
    assert result.reason == "empty_after_cleaning"


def test_html_of_only_chrome_is_rejected(cleaner: Cleaner) -> None:
    html = "<html><body><p>Advertisement</p><p>Share this article</p></body></html>"
    result = cleaner.clean(raw(html, content_type="text/html"))
    assert isinstance(result, Rejected)
    assert result.reason == "empty_after_cleaning"


def test_headline_repeated_in_other_case_is_dropped(cleaner: Cleaner) -> None:
    body = "RATES RISE AGAIN\n\nThe central bank raised rates for the third time this year."
    article = cleaner.clean(raw(body, headline="Rates rise again"))
    assert isinstance(article, CleanArticle)
    assert article.body == "The central bank raised rates for the third time this year."


def test_missing_headline_falls_back_to_first_paragraph(cleaner: Cleaner) -> None:
    article = cleaner.clean(raw("Rates rise\n\nThe central bank raised rates on Tuesday."))
    assert isinstance(article, CleanArticle)
    assert article.headline == "Rates rise"


def test_html_headline_falls_back_to_title(cleaner: Cleaner) -> None:
    html = (
        "<html><head><title>Rates rise</title></head><body><article>"
        "<p>The central bank raised interest rates by a quarter point on Tuesday, its third "
        "increase this year, and said more were likely if inflation stayed high.</p>"
        "</article></body></html>"
    )
    article = cleaner.clean(raw(html, content_type="text/html"))
    assert isinstance(article, CleanArticle)
    assert article.headline == "Rates rise"
    assert "<" not in article.body
    assert article.body.startswith("The central bank raised interest rates")


def test_hard_wrapped_lines_are_joined(cleaner: Cleaner) -> None:
    body = "The central bank raised rates\non Tuesday, its third increase.\n\nMarkets fell."
    article = cleaner.clean(raw(body, headline="Rates"))
    assert isinstance(article, CleanArticle)
    assert (
        article.body
        == "The central bank raised rates on Tuesday, its third increase.\n\nMarkets fell."
    )


def test_mid_body_credit_line_is_not_mistaken_for_text(cleaner: Cleaner) -> None:
    body = (
        "The central bank raised rates on Tuesday.\n\n"
        "By Tuesday, the company had sold 40% of its stock.\n\n"
        "Reporting by the team was thin."
    )
    article = cleaner.clean(raw(body, headline="Rates"))
    assert isinstance(article, CleanArticle)
    assert article.body == body
    assert not article.byline


# ---------------------------------------------------------------- unicode repair


def test_mojibake_is_repaired() -> None:
    assert textutil.repair_unicode("donâ€™t") == "don’t"
    assert textutil.repair_unicode("cafÃ©") == "café"


def test_zero_width_and_control_characters_are_removed() -> None:
    assert textutil.repair_unicode("news\u200broom") == "newsroom"
    assert textutil.repair_unicode("\ufeffRates\u200d rise\u2060") == "Rates rise"
    assert textutil.repair_unicode("soft\u00adhyphen") == "softhyphen"
    assert textutil.repair_unicode("bell\x07 and\x00 nul") == "bell and nul"


def test_nfc_normalization() -> None:
    decomposed = "Co\u0301rdoba"  # o + combining acute
    repaired = textutil.repair_unicode(decomposed)
    assert repaired == "Córdoba"
    assert unicodedata.is_normalized("NFC", repaired)


def test_curly_quotes_and_dashes_survive_repair() -> None:
    text = "“Yes,” she said – and the minister’s aide agreed — “quite.”"
    assert textutil.repair_unicode(text) == text


def test_cleaner_repairs_unicode_in_body_and_headline(cleaner: Cleaner) -> None:
    body = (
        "The minister said they donâ€™t expect a deal.\n\n"
        "Talks in Co\u0301rdoba re\u200bsumed on Monday after a week of delays."
    )
    article = cleaner.clean(raw(body, headline="Talks resume in Co\u0301rdoba"))
    assert isinstance(article, CleanArticle)
    assert "don’t" in article.body
    assert "â€" not in article.body
    assert "\u200b" not in article.body
    assert "Talks in Córdoba resumed on Monday" in article.body
    assert article.headline == "Talks resume in Córdoba"
    assert unicodedata.is_normalized("NFC", article.body)


def test_fold_for_compare_ignores_case_and_typography() -> None:
    assert textutil.fold_for_compare("Russia and China’s “pact”") == textutil.fold_for_compare(
        'RUSSIA AND CHINA\'S "PACT"'
    )


def test_reading_time_is_at_least_one_minute() -> None:
    assert textutil.reading_time_minutes(0) == 1
    assert textutil.reading_time_minutes(460) == 2


def test_short_text_language_falls_back_on_hint() -> None:
    assert textutil.detect_language("Hola", "es-ES") == ("es", 0.0)
    assert textutil.detect_language("Hi", None) == ("und", 0.0)
