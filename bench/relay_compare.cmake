# The relay comparison (bench/relay_compare.sh): the load generator and switchboard's media
# engine as a stand-alone relay driven by the same ng commands as rtpengine.
add_executable(relay_load ${CMAKE_CURRENT_LIST_DIR}/relay_load.cpp)
if(TARGET sb_media_engine)
  add_executable(media_relay_server ${CMAKE_CURRENT_LIST_DIR}/media_relay_server.cpp)
  target_link_libraries(media_relay_server PRIVATE sb_media_engine)
endif()
