"""Card payment providers behind one interface (`base.PaymentProvider`), chosen by configuration."""
