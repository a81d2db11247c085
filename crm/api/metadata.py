"""OPTIONS answers: DRF's description, for views that have no single serializer too.

DRF's ``SimpleMetadata`` describes the POST/PUT body by calling ``get_serializer()``; a
``GenericAPIView`` used for its filter backends alone has no ``serializer_class`` and
raised (OPTIONS answered 500). Such a view's bodies are described in the OpenAPI schema;
OPTIONS then lists the methods only.
"""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        # imported here: DRF's views module loads this class while it is being imported
        from rest_framework.generics import GenericAPIView

        if (
            isinstance(view, GenericAPIView)
            and view.serializer_class is None
            and type(view).get_serializer_class is GenericAPIView.get_serializer_class
        ):
            return {}
        return super().determine_actions(request, view)
