{
  "targets": [
    {
      "target_name": "elicense_sm2",
      "sources": ["sm2.c", "sm2_curve.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"],
      "xcode_settings": { "OTHER_CFLAGS": ["-std=c11"] },
      "conditions": [
        ["OS=='linux'", { "ldflags": ["-Wl,-z,now"] }]
      ]
    }
  ]
}
