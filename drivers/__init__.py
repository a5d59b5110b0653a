"""Device layer: one small interface per kiosk device and real drivers over real transports."""
