"""sdkgen: from one config file to a compressed, verified on-device model and its Android and iOS SDKs."""

__version__ = "0.1.0"
