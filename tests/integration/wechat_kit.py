"""Shared set-up for the WeChat tests: a shop's WeChat accounts (the
shop_wechat row and the AppSecret files under secrets_dir), the stack's
conf pointed at the fake WeChat server (conftest.py's wechat_fake)."""

import os

import pytest

MP_APPID = "wx00000000000000aa"
MINI_APPID = "wx00000000000000bb"
MP_SECRET = "mp-secret-0123456789abcdef"
MINI_SECRET = "mini-secret-0123456789abcdef"


def shop_id(stack, slug):
    return int(stack.sql(f"SELECT id FROM shop WHERE slug = '{slug}'")[0][0])


def put_secret(stack, shop, name, value):
    d = stack.secrets_dir / str(shop)
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(stack.secrets_dir, 0o700)
    os.chmod(d, 0o700)
    p = d / name
    p.write_text(value)
    os.chmod(p, 0o600)


def configure_shop(stack, slug="shop-a"):
    sid = shop_id(stack, slug)
    stack.sql("INSERT INTO shop_wechat (shop_id, mp_appid, miniapp_appid) "
              f"VALUES ({sid}, '{MP_APPID}', '{MINI_APPID}') "
              "ON DUPLICATE KEY UPDATE mp_appid = VALUES(mp_appid), "
              "miniapp_appid = VALUES(miniapp_appid)")
    put_secret(stack, sid, "mp_secret", MP_SECRET)
    put_secret(stack, sid, "miniapp_secret", MINI_SECRET)
    return sid


def reset_fake(fake, token_delay=0.0):
    fake.control("reset")
    fake.control("app", {"appid": MP_APPID, "secret": MP_SECRET})
    fake.control("app", {"appid": MINI_APPID, "secret": MINI_SECRET})
    if token_delay:
        fake.control("config", {"token_delay": token_delay})


@pytest.fixture(scope="module")
def wx_stack(stack, wechat_fake):
    """The stack with wechat_api_base at the fake, shop-a configured.
    Restores the suite's configuration afterwards."""
    stack.reconfigure(wechat_api_base=wechat_fake.base,
                      wechat_open_base="http://127.0.0.1:9",
                      wechat_timeout=2)
    configure_shop(stack)
    stack.sql("DELETE FROM wx_token")
    yield stack
    stack.sql("DELETE FROM wx_token")
    stack.reconfigure()


@pytest.fixture
def fake(wx_stack, wechat_fake):
    reset_fake(wechat_fake)
    wx_stack.sql("DELETE FROM wx_token")
    return wechat_fake
