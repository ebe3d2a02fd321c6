"""The table model and the template readers that anchor it on the official labels."""
