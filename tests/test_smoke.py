from tests.support import ARTICLE


def test_a_guest_comment_is_stored_and_read_back(client, make_comment):
    posted = make_comment()
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    assert [c["id"] for c in thread["comments"]] == [posted["id"]]
