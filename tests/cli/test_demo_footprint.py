"""The demo gives the reference production figures of every kind, and its balance covers every category."""

from __future__ import annotations

import json

from click.testing import CliRunner

from greenslate.cli import main


def test_the_demo_reports_every_kind_and_its_balance_covers_every_category(sqlite_db_url: str) -> None:
    runner = CliRunner()
    env = {"GREENSLATE_DATABASE_URL": sqlite_db_url}
    demo = runner.invoke(main, ["demo", "--no-serve", "--weeks", "2"], env=env, catch_exceptions=False)
    assert demo.exit_code == 0, demo.output
    assert "Forecast only: none." in demo.output
    data = json.loads(runner.invoke(main, ["balance", "feux-aube", "--format", "json"], env=env).output)
    assert data["coverage"]["measured"] == ["transport", "energy", "catering", "waste", "accommodation",
                                            "purchases", "post_production"]
    assert data["coverage"]["measured_share_of_forecast"] == 1.0
    used = {f["key"] for f in data["factors"]}
    # The arrival in Nice by TGV and by plane, the hotel, the studio meter, the fuel card, the trucks,
    # the sets and costumes, the edit suite: each through its own factor.
    assert {"train_tgv_fr", "flight_shorthaul_fr", "accommodation_hotel_midscale_fr", "electricity_fr_2025",
            "diesel_road_fr", "freight_rigid_large_tkm", "freight_van_vkm", "material_timber_kg",
            "costume_new_item", "spend_set_construction_eur", "edit_suite_day", "storage_tb_month"} <= used
    again = runner.invoke(main, ["demo", "--no-serve", "--weeks", "2"], env=env, catch_exceptions=False)
    assert ", 0 new reports" in again.output  # stable references: a second run adds nothing
