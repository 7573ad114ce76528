"""The screens of the review UI."""
