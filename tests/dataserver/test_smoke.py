from tests.rasters import COGEO


def test_it_uploads_the_aerial_fixture_and_lists_it_in_its_mosaic(api, django_capture_on_commit_callbacks):
    mosaic = api.post("/rest/rasters/mosaic", {"name": "Aerial"}, content_type="application/json").json()
    with django_capture_on_commit_callbacks(execute=True), open(COGEO, "rb") as fh:
        answer = api.post(f"/rest/rasters/mosaic/{mosaic['id']}/image", {"file": fh})
    assert answer.status_code == 200, answer.content
    images = api.get(f"/rest/rasters/mosaic/{mosaic['id']}/image").json()
    assert [image["filename"] for image in images] == ["cogeo.tif"]
    assert images[0]["cog_link"] is not None
