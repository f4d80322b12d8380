"""Catalog search and the account status of the self-hosted Data API (DATA_API.md sections 6 and 7)."""

from ninja import Router

from .models import Account
from .schemas import UserStatus

router = Router(tags=["account"])


@router.get("/user/status", response=UserStatus)
def user_status(request):
    account: Account = request.auth
    return {
        "email": account.email,
        "memoryLimit": account.memory_limit,
        "areaLimit": account.area_limit,
        "searchAreaLimit": account.search_area_limit,
        "aoiAreaLimit": account.area_limit,
        "teams": [],
        "searchDataProviders": [],
    }
