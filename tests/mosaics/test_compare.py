"""The compare page: two layers, each one of the team's mosaics or a catalog scene's preview, chosen in the URL."""

from django.urls import reverse

from tests.dataserver.catalog_scenes import make_scene
from tests.mosaics.conftest import island


def compare(client, **query):
    answer = client.get(reverse("mosaics:compare"), query)
    assert answer.status_code == 200
    return answer, island(answer.content.decode(), "compare-map-settings")


def test_only_the_teams_own_mosaics_are_offered_and_signed(teams):
    ours = teams.acme_api.mosaic_create(name="Ours", tags=[])
    theirs = teams.cosmo_api.mosaic_create(name="Theirs", tags=[])
    answer, settings = compare(teams.bob_client, left=ours.id, right=theirs.id, split="0.3", opacity="7")
    assert settings["left"]["name"] == "Ours" and "token=" in settings["left"]["tiles"]
    assert settings["right"] is None  # another team's id is not one of ours: nothing is signed for it
    assert (settings["split"], settings["opacity"]) == (0.3, 1.0)  # an opacity beyond 1 is 1
    assert "Theirs" not in answer.content.decode()


def test_a_trashed_mosaic_is_not_offered(teams):
    gone = teams.acme_api.mosaic_create(name="Gone", tags=[])
    teams.alice_client.post(reverse("mosaics:delete", args=[gone.id]), {})
    answer, settings = compare(teams.alice_client, left=gone.id)
    assert settings["left"] is None and "Gone" not in answer.content.decode()


def test_a_catalog_scene_is_compared_by_its_preview_which_its_provider_serves(teams):
    make_scene(
        "S2_TILE_2024",
        bounds=(10.0, 10.0, 10.2, 10.2),
        preview_type="png",
        preview_url="https://previews.example.com/S2_TILE_2024.png",
    )
    mosaic = teams.acme_api.mosaic_create(name="Flight", tags=[])
    answer, settings = compare(teams.alice_client, left=mosaic.id, right_scene="S2_TILE_2024")
    scene = settings["right"]
    assert scene["kind"] == "scene" and scene["id"] == "S2_TILE_2024"
    assert scene["preview"] == {"type": "png", "url": "https://previews.example.com/S2_TILE_2024.png", "zoom": None}
    assert scene["bounds"] == [10.0, 10.0, 10.2, 10.2]
    assert "https://previews.example.com" in answer["Content-Security-Policy"]

    missing, settings = compare(teams.alice_client, left_scene="NO_SUCH_SCENE")
    assert settings["left"] is None and "The catalog has no scene NO_SUCH_SCENE." in missing.content.decode()


def test_a_scene_preview_that_is_not_a_web_address_is_left_out(teams):
    make_scene("ODD", preview_type="png", preview_url="javascript:alert(1)")
    answer, settings = compare(teams.alice_client, left_scene="ODD")
    assert settings["left"]["preview"] is None and "javascript:" not in answer["Content-Security-Policy"]
    assert "has no preview a map can show" in answer.content.decode()
