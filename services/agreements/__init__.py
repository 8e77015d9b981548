"""Agreements: MOUs, tenancy, investment and cooperation agreements between
companies, parks and partners, proposed and signed."""
