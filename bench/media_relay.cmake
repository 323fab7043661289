# The bridge relay path end to end on loopback: generator -> session A -> bridge -> session B -> sink.
if(TARGET sb_media_engine)
  add_executable(media_relay_bench ${CMAKE_CURRENT_LIST_DIR}/media_relay_bench.cpp)
  target_link_libraries(media_relay_bench PRIVATE sb_media_engine benchmark::benchmark_main)
endif()
