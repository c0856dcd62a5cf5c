/*
 * The one stylesheet of hogod's web pages, served from the bytes built into hogod (CMake
 * embeds daemon/web/hogo.css as hogod_stylesheet_css). Daemon layer (web foundation).
 */
#include "web_int.h"

extern const char hogod_stylesheet_css[];
extern const unsigned long hogod_stylesheet_css_len;

void web_route_stylesheet(struct hogod_exchange *x)
{
    hogod_reply_text(x, 200, "text/css; charset=utf-8", hogod_stylesheet_css,
                     (size_t)hogod_stylesheet_css_len);
}
