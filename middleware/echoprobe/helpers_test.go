package echoprobe

import (
	"io"

	"github.com/labstack/echo/v4"
)

// newEcho returns an echo instance that logs nowhere.
func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	return e
}
