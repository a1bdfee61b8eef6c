"""Graph passes: functions over the graph IR (gradient, shape/type inference, ...)."""
