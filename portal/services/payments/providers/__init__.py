"""Card payment providers behind one interface (`base.PaymentProvider`), chosen by configuration.

``PAYMENT_PROVIDER`` names the one new card payments go through (`card_provider`; None: the form
offers only the bank transfer). A pledge keeps the name of the provider that took it, and its
refund goes through that one (`provider_named`), whatever the configuration says today.
Implementations are imported only when asked for, so the `stripe` library is loaded only where
Stripe is used.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from flask import current_app

from config import PROVIDER_SETTINGS
from portal.services.payments.providers.base import PaymentProvider, ProviderError

# name -> "module:Class"
IMPLEMENTATIONS = {
    "demo": "portal.services.payments.providers.demo:DemoProvider",
    "stripe": "portal.services.payments.providers.stripe_checkout:StripeProvider",
}


def _demo_settings(config: dict[str, Any]) -> dict[str, Any]:
    return {"base_url": config["DEMO_PROVIDER_URL"], "secret": config["PAYMENT_WEBHOOK_SECRET"]}


def _stripe_settings(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "secret_key": config["STRIPE_SECRET_KEY"],
        "webhook_secret": config["STRIPE_WEBHOOK_SECRET"],
        "api_base": config.get("STRIPE_API_BASE"),
    }


# name -> the keyword arguments of its class, from the configuration
SETTINGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"demo": _demo_settings, "stripe": _stripe_settings}


class UnknownProvider(LookupError):
    """No implementation by this name (a notification's URL, a pledge's stored provider)."""


def is_known(name: str) -> bool:
    return name in IMPLEMENTATIONS


def is_configured(name: str) -> bool:
    """Whether this deployment has the settings this provider needs (`config.PROVIDER_SETTINGS`)."""
    return is_known(name) and all(current_app.config.get(setting) for setting in PROVIDER_SETTINGS[name])


def _implementation(name: str) -> type:
    if name not in IMPLEMENTATIONS:
        raise UnknownProvider(name)
    module_name, _, class_name = IMPLEMENTATIONS[name].partition(":")
    return getattr(import_module(module_name), class_name)


def provider_named(name: str) -> PaymentProvider:
    """The provider a pledge was made with (its refund goes through it); `UnknownProvider` else."""
    return _implementation(name)(**SETTINGS[name](current_app.config))


def checkout_origin() -> str | None:
    """The origin of the configured provider's hosted checkout page (the CSP's form-action allows it),
    or None when card payments are off or the provider cannot start. Asked on every response: a class
    constant (Stripe's) is read without building a client; an origin that comes from the settings (the
    demo's base URL) is read from a provider built for it, which calls nobody."""
    name = current_app.config.get("PAYMENT_PROVIDER")
    if not name or not is_known(name):
        return None
    implementation = _implementation(name)
    origin = getattr(implementation, "checkout_origin", None)
    if isinstance(origin, str):
        return origin
    try:
        return implementation(**SETTINGS[name](current_app.config)).checkout_origin
    except (ProviderError, KeyError):  # not configured: no checkout to send anyone to
        return None


def card_provider() -> PaymentProvider | None:
    """The provider new card payments go through, or None when card payments are off."""
    name = current_app.config.get("PAYMENT_PROVIDER")
    return provider_named(name) if name else None


def card_payments_enabled() -> bool:
    """Whether the form offers the card (without building the provider)."""
    return bool(current_app.config.get("PAYMENT_PROVIDER"))
