"""Registry pages. Each model's views are configured subclasses of core.views.generic."""
