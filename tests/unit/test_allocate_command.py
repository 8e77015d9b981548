"""`parkmatch allocate` without a system: where it finds the gateway, and how
it prints a round."""
from services.ops import allocate

ROUND = {
    "round_id": "r-1", "created_at": "2026-11-25T10:00:00+00:00",
    "summary": {"demands": 1, "companies": 2, "places": 1, "placed": 1, "unplaced": 1},
    "demands": [{"demand_id": "d-1", "title": "High-Tech Valley", "park_id": "p-1",
                 "park_names": {"en": "Binxian ETDZ", "zh": "宾县经济技术开发区"}, "places": 1,
                 "candidates": 2, "admitted": [{"company_id": "c-1", "score": 100.0, "rank": 1}]}],
    "companies": [
        {"company_id": "c-1", "names": {"en": "Hanbit Bio", "ko": None}, "demand_id": "d-1",
         "choice": 1, "why_not": []},
        {"company_id": "c-2", "names": {"ko": "대박제약", "en": None}, "demand_id": None,
         "choice": None, "why_not": [{"demand_id": "d-1", "text": "Binxian ETDZ is full"}]},
    ],
    "unplaced": ["c-2"],
}


def test_the_gateway_address_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("PARKMATCH_API_URL", raising=False)
    monkeypatch.delenv("PARKMATCH_HTTP_ADDRESS", raising=False)
    assert allocate.api_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("PARKMATCH_HTTP_ADDRESS", "10.0.0.5:8123")
    assert allocate.api_url() == "http://10.0.0.5:8123"
    monkeypatch.setenv("PARKMATCH_HTTP_ADDRESS", "0.0.0.0:9000")
    assert allocate.api_url() == "http://127.0.0.1:9000"
    monkeypatch.setenv("PARKMATCH_API_URL", "https://api.parkmatch.example/")
    assert allocate.api_url() == "https://api.parkmatch.example"


def test_a_round_prints_as_two_tables():
    assert allocate.render(ROUND) == (
        "Allocation round r-1 (2026-11-25T10:00:00+00:00): 1 demand(s), 2 company(ies), "
        "1 place(s); 1 placed, 1 without a place\n"
        "\n"
        "Assignments\n"
        "demand                          filled  candidates  admitted (score)\n"
        "Binxian ETDZ: High-Tech Valley  1/1     2           Hanbit Bio (100)\n"
        "\n"
        "Why not\n"
        "company   outcome   why not\n"
        "대박제약  no place  Binxian ETDZ is full\n")


def test_without_an_operator_key_it_fails_before_any_request(monkeypatch, capsys):
    monkeypatch.delenv("PARKMATCH_OPERATOR_KEY", raising=False)
    assert allocate.run(url="http://127.0.0.1:9") == 1
    assert "PARKMATCH_OPERATOR_KEY" in capsys.readouterr().err


def test_columns_line_up_by_display_width_with_korean_and_chinese_names():
    assert allocate.display_width("Hanbit") == 6
    assert allocate.display_width("대박제약") == 8          # Hangul: wide
    assert allocate.display_width("宾县（一期）") == 12      # CJK and full-width brackets
    assert allocate.display_width("ＡＩ") == 4              # full-width Latin
    assert allocate.display_width("e\u0301") == 1          # a combining accent takes no column
    held = dict(ROUND, demands=[
        dict(ROUND["demands"][0], title="高新技术谷", park_names={"zh": "宾县经济技术开发区"}),
        dict(ROUND["demands"][0], demand_id="d-2", title="Bio", park_names={"en": "Daxing"},
             admitted=[{"company_id": "c-2", "score": 88.9, "rank": 1}])])
    lines = allocate.render(held).splitlines()
    table = lines[lines.index("Assignments") + 1:lines.index("Assignments") + 4]
    # every column starts at the same terminal column on every line
    cells = [["filled", "candidates", "admitted (score)"],
             ["1/1  ", "2  ", "Hanbit Bio (100)"],
             ["1/1  ", "2  ", "대박제약 (88.9)"]]
    for column in range(3):
        starts = {allocate.display_width(line[:line.index(row[column])])
                  for line, row in zip(table, cells, strict=True)}
        assert len(starts) == 1, (column, table)
    assert table[1].startswith("宾县经济技术开发区: 高新技术谷  1/1")
