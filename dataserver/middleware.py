"""Every error under /rest/ is JSON in the shape of its endpoint family (see errors.py), including the answers that
no endpoint gives: an unknown route (404), a method the route does not have (405), a server failure (500) and
whatever else Django itself answers as a page."""

from dataserver.errors import family_response

REST_PATH = "/rest/"
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class RestErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(REST_PATH)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            answer = family_response(request, response.status_code)
            for header in KEPT_HEADERS:
                if header in response:
                    answer[header] = response[header]
            return answer
        return response
