"""The `logto` commands: set up (`provision`) and check (`doctor`) the Logto tenant."""
