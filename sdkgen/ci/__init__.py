"""CI configuration that runs sdkgen as the mobile team's build step (``sdkgen ci <provider>``)."""
