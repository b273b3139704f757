"""The coordinator dashboard (Dash 4, Plotly)."""
